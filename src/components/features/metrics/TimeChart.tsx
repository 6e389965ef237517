'use client';

import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useClock } from '@/contexts/ClockContext';
import { resolveColor, useColorScheme } from '@/hooks/useColorScheme';
import type { MetricUnit } from '@/lib/contracts/metrics';
import {
  formatDateTime,
  formatDay,
  formatDuration,
  formatMetric,
  formatPercent,
  formatTimeOfDay,
} from '@/lib/presentation/format';
import styles from './TimeChart.module.css';

/** A metric's unit, or `percent` for figures already in percent (a run's CPU: 100 = one core). */
export type ChartUnit = MetricUnit | 'percent';

export function formatChartValue(value: number, unit: ChartUnit): string {
  return unit === 'percent' ? formatPercent(value / 100) : formatMetric(value, unit);
}

export interface ChartScale {
  key: string;
  unit: ChartUnit;
  side?: 'left' | 'right';
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** One of the chart's scales; the first when left out. */
  scale?: string;
}

/** A span of the x axis drawn behind the lines: a run on the host charts, a tool call on a run's chart. */
export interface ChartBand {
  key: string;
  label: string;
  from: number;
  to: number;
}

export interface TimeChartProps {
  /** Names the chart for screen readers; the visible title is the caller's. */
  label: string;
  /** `time`: epoch ms on a clock axis; `offset`: seconds since the start of a run. */
  xKind: 'time' | 'offset';
  x: number[];
  series: ChartSeries[];
  scales: ChartScale[];
  /** The x axis' extent; the data's own when left out. */
  xRange?: readonly [number, number];
  bands?: readonly ChartBand[];
  onBandClick?: (band: ChartBand) => void;
  /** Charts with the same key show the cursor at the same instant. */
  syncKey?: string;
  height?: number;
  testId: string;
}

/** The series colour tokens, in the order lines are added (distinct in both themes). */
const SERIES_TOKENS = [1, 2, 3, 4, 5, 6].map((n) => `--color-series-${n}`);
const NO_BANDS: readonly ChartBand[] = [];

/** The theme's colours as the canvas needs them, read when a chart is built. */
interface ChartColors {
  series: string[];
  axis: string;
  grid: string;
  bandFill: string;
  bandEdge: string;
}

function chartColors(): ChartColors {
  return {
    series: SERIES_TOKENS.map(resolveColor),
    axis: resolveColor('--color-chart-axis'),
    grid: resolveColor('--color-chart-grid'),
    bandFill: resolveColor('--color-chart-band'),
    bandEdge: resolveColor('--color-series-1'),
  };
}

/** Whole seconds, minutes and hours between ticks: a short run never repeats a label (`+0 s`, `+0 s`). */
const OFFSET_INCREMENTS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400,
];

/** Tick labels with a repeat of the one before left blank: close ticks can round to the same text. */
function withoutRepeats(labels: string[]): string[] {
  return labels.map((label, i) => (i > 0 && labels[i - 1] === label ? '' : label));
}

function offsetLabel(seconds: number): string {
  return `+${formatDuration(Math.round(seconds) * 1_000).replace(/\.0 s$/, ' s')}`;
}

/** A clock axis' tick: the time of day under a day between ticks, the date above. */
function timeTick(epochMs: number, incrementMs: number, timeZone: string, now: number): string {
  return incrementMs < 86_400_000
    ? formatTimeOfDay(epochMs, timeZone)
    : formatDay(epochMs, { timeZone, now });
}

/** The legend shows the newest values while the cursor is elsewhere (uPlot's own shows dashes). */
function showLatest(u: uPlot): void {
  const count = u.data[0]?.length ?? 0;
  if (count > 0) u.setLegend({ idx: count - 1 }, false);
}

/** Room for an axis' labels: `1000 KiB/s` needs more than `50%`. */
const AXIS_WIDTH: Record<ChartUnit, number> = {
  ratio: 50,
  percent: 50,
  load: 50,
  bytes: 76,
  bytes_per_second: 92,
};

/** A short run on a long range is still this wide, to be seen and hovered. */
const MIN_BAND_PX = 4;

/** A band's extent in CSS pixels from the plot's left edge. */
function bandPixels(u: uPlot, band: ChartBand): [number, number] {
  const from = u.valToPos(band.from, 'x');
  const to = u.valToPos(band.to, 'x');
  const missing = Math.max(0, MIN_BAND_PX - (to - from));
  return [from - missing / 2, to + missing / 2];
}

/** The bands under the cursor, named in a tooltip; a click opens the last of them. */
function bandsPlugin(current: () => BandState, colors: ChartColors): uPlot.Plugin {
  let tooltip: HTMLDivElement | undefined;
  let hovered: ChartBand | undefined;
  return {
    hooks: {
      init: (u) => {
        tooltip = document.createElement('div');
        tooltip.className = styles.tooltip ?? '';
        tooltip.setAttribute('role', 'tooltip');
        tooltip.hidden = true;
        u.over.appendChild(tooltip);
        u.over.addEventListener('click', () => {
          if (hovered) current().onBandClick?.(hovered);
        });
      },
      drawClear: (u) => {
        const { ctx, bbox } = u;
        ctx.save();
        ctx.beginPath();
        ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
        ctx.clip();
        for (const band of current().bands) {
          const [left, right] = bandPixels(u, band);
          const x = bbox.left + left * uPlot.pxRatio;
          const width = (right - left) * uPlot.pxRatio;
          ctx.fillStyle = colors.bandFill;
          ctx.fillRect(x, bbox.top, width, bbox.height);
          ctx.fillStyle = colors.bandEdge;
          ctx.fillRect(x, bbox.top, width, 3 * uPlot.pxRatio);
        }
        ctx.restore();
      },
      setCursor: (u) => {
        if (!tooltip) return;
        const left = u.cursor.left ?? -1;
        if (left < 0) showLatest(u);
        const under = current().bands.filter((band) => {
          const [from, to] = bandPixels(u, band);
          return left >= 0 && from <= left && left <= to;
        });
        hovered = under.at(-1);
        u.over.classList.toggle(styles.overBand ?? '', hovered !== undefined);
        if (!hovered) {
          tooltip.hidden = true;
          return;
        }
        tooltip.textContent =
          under.length > 1 ? `${hovered.label} (+${under.length - 1} more)` : hovered.label;
        tooltip.hidden = false;
        // CSSOM, not a style attribute: allowed under the page's CSP.
        tooltip.style.left = `${Math.min(left + 12, Math.max(0, u.over.clientWidth - tooltip.offsetWidth))}px`;
      },
    },
  };
}

/** What a chart is built from; anything else (data, bands, range) is handed to the built chart. */
interface ChartShape {
  lines: { label: string; scale: string | undefined }[];
  scales: ChartScale[];
  xKind: TimeChartProps['xKind'];
  syncKey: string | undefined;
  height: number;
  /** Rebuilt with the theme's colours when it changes. */
  scheme: string;
  timeZone: string;
}

type BandState = { bands: readonly ChartBand[]; onBandClick?: (band: ChartBand) => void };

function buildOptions(shape: ChartShape, width: number, bandState: () => BandState): uPlot.Options {
  const colors = chartColors();
  const axisStroke = colors.axis;
  const grid = { stroke: colors.grid, width: 1 };
  const ticks = { stroke: colors.grid, width: 1 };
  const now = Date.now();
  const scaleOf = (key: string | undefined) => shape.scales.find((s) => s.key === key) ?? shape.scales[0];
  const time = shape.xKind === 'time';
  return {
    width,
    height: shape.height,
    ms: 1,
    pxAlign: false,
    cursor: {
      // No drag-zoom, and no swallowing of clicks that uPlot takes for the end of a drag (the
      // cursor's position moves under a live chart between press and release): a click opens a band.
      drag: { x: false, y: false, setScale: false, click: () => {} },
      ...(shape.syncKey ? { sync: { key: shape.syncKey } } : {}),
    },
    legend: { live: true },
    scales: {
      x: { time },
      ...Object.fromEntries(
        shape.scales.map((scale) => [
          scale.key,
          {
            range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax =>
              scale.unit === 'ratio' ? [0, 1] : [0, max > 0 ? max * 1.1 : 1],
          },
        ]),
      ),
    },
    axes: [
      {
        stroke: axisStroke,
        grid,
        ticks,
        ...(time
          ? {
              values: (_u: uPlot, splits: number[], _axis: number, _space: number, increment: number) =>
                // Ticks under a minute apart (a young server's hour) name each minute once.
                withoutRepeats(splits.map((at) => timeTick(at, increment, shape.timeZone, now))),
            }
          : { incrs: OFFSET_INCREMENTS, values: (_u: uPlot, splits: number[]) => splits.map(offsetLabel) }),
      },
      ...shape.scales.map(
        (scale): uPlot.Axis => ({
          scale: scale.key,
          side: scale.side === 'right' ? 1 : 3,
          stroke: axisStroke,
          grid: scale.side === 'right' ? { show: false } : grid,
          ticks,
          size: AXIS_WIDTH[scale.unit],
          values: (_u, splits) => withoutRepeats(splits.map((value) => formatChartValue(value, scale.unit))),
        }),
      ),
    ],
    series: [
      {
        label: time ? 'Time' : 'Since start',
        value: (_u: uPlot, v: number | null) =>
          v === null
            ? '—'
            : time
              ? formatDateTime(v, { timeZone: shape.timeZone, now, seconds: true })
              : offsetLabel(v),
      },
      ...shape.lines.map((line, index): uPlot.Series => {
        const unit = scaleOf(line.scale)?.unit ?? 'ratio';
        return {
          label: line.label,
          scale: scaleOf(line.scale)?.key ?? 'y',
          stroke: colors.series[index % colors.series.length],
          width: 1.5,
          points: { show: false },
          value: (_u, value) => (value === null || value === undefined ? '—' : formatChartValue(value, unit)),
        };
      }),
    ],
    plugins: [bandsPlugin(bandState, colors)],
  };
}

const dataOf = (x: number[], series: ChartSeries[]): uPlot.AlignedData => [x, ...series.map((s) => s.values)];

/** Shows the data over the given x extent (the data's own without one). */
function show(
  plot: uPlot,
  x: number[],
  series: ChartSeries[],
  xRange: readonly [number, number] | undefined,
) {
  plot.batch(() => {
    plot.setData(dataOf(x, series));
    if (xRange) plot.setScale('x', { min: xRange[0], max: xRange[1] });
    if ((plot.cursor.left ?? -1) < 0) showLatest(plot);
  });
}

/**
 * A uPlot line chart, drawn on the client only (it needs a canvas): live data is handed to the
 * same chart, and only a change of lines or scales builds it again. Bands are drawn behind the
 * lines; hovering one names it and clicking it calls `onBandClick`.
 */
export function TimeChart(props: TimeChartProps) {
  const { x, series, bands = NO_BANDS, onBandClick, xRange, testId, label } = props;
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = useRef({ x, series, xRange });
  const bandState = useRef<BandState>({ bands, onBandClick });
  const scheme = useColorScheme();
  const { timeZone } = useClock();

  // Lines and scales are the chart's shape: the chart is built again only when they change.
  const shapeKey = JSON.stringify({
    lines: series.map((line) => ({ label: line.label, scale: line.scale })),
    scales: props.scales,
    xKind: props.xKind,
    syncKey: props.syncKey,
    height: props.height ?? 180,
    scheme,
    timeZone,
  });
  const shape = useMemo(() => JSON.parse(shapeKey) as ChartShape, [shapeKey]);

  // Before any effect below: a chart built for new lines must draw the data that has them. Kept
  // in the data effect instead, the rebuild drew the previous render's series (one line fewer
  // or more than its shape), uPlot threw, and the page fell to its error boundary; ticking
  // "Virtual interfaces" did exactly that.
  useLayoutEffect(() => {
    data.current = { x, series, xRange };
  });

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const plot = new uPlot(
      buildOptions(shape, Math.max(200, element.clientWidth), () => bandState.current),
      [],
      element,
    );
    show(plot, data.current.x, data.current.series, data.current.xRange);
    chart.current = plot;
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: plot.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [shape]);

  useEffect(() => {
    if (chart.current) show(chart.current, x, series, xRange);
  }, [x, series, xRange]);

  useEffect(() => {
    bandState.current = { bands, onBandClick };
    chart.current?.redraw(false, false);
  }, [bands, onBandClick]);

  return (
    <div
      ref={holder}
      className={styles.chart}
      role="img"
      aria-label={label}
      data-testid={testId}
      data-points={x.length}
      data-last={x.at(-1) ?? ''}
      data-from={xRange?.[0] ?? ''}
      data-to={xRange?.[1] ?? ''}
    />
  );
}
