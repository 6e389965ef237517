'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { Button, ButtonGroup } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';
import { Check } from '@/components/ui/FormParts';
import { PageHeader } from '@/components/ui/PageHeader';
import { Empty, Panel, PanelGrid } from '@/components/ui/Panel';
import { Time } from '@/components/ui/Time';
import { useHostMetrics } from '@/hooks/useHostMetrics';
import { usePolled } from '@/hooks/usePolled';
import { useSubscription } from '@/hooks/useWebSocket';
import {
  type HostSample,
  METRIC_RANGE_MS,
  METRIC_RANGES,
  type MetricRange,
  type MetricsRangeDto,
  metricsRangeSchema,
  type RunBandDto,
  systemPagePath,
} from '@/lib/contracts/metrics';
import { apiFetch, errorMessage } from '@/lib/http/client';
import { formatCount, formatDuration } from '@/lib/presentation/format';
import {
  foldRun,
  METRIC_RANGE_LABELS,
  networkInterfaces,
  systemCharts,
} from '@/lib/presentation/metricsView';
import { CurrentValues } from './CurrentValues';
import { CustomRangeForm } from './CustomRangeForm';
import { HostPicker } from './HostPicker';
import styles from './SystemMetrics.module.css';
import { type ChartBand, TimeChart } from './TimeChart';

type RangeChoice = MetricRange | 'custom';

/** Runs listed under the charts (the bands on them hold all of the range's). */
const LISTED_RUNS = 50;

/** Another host's samples come by no topic (it is sampled by its own process): its window is read again this often. */
const OTHER_HOST_REFRESH_MS = 10_000;

const pathOf = (host: string, range: RangeChoice, window?: { from: number; to: number }) =>
  `/api/metrics?${new URLSearchParams({
    host,
    range,
    ...(window && { from: String(window.from), to: String(window.to) }),
  })}`;

const bandOf = (run: RunBandDto, end: number): ChartBand => ({
  key: String(run.id),
  label: `Run #${run.id} · ${run.agentName} · ${run.status}`,
  from: run.startedAt,
  to: run.finishedAt ?? end,
});

/**
 * A host's charts for a range (this server's first), live: the range is read from the tier the API
 * picks, then each sample of the `metrics` topic (this server's) is folded in and each of the
 * host's runs the `executions` topic reports is drawn as a band on every chart (hover names it, a
 * click opens it). Another host's window is read again every 10 s instead.
 */
export function SystemMetrics({
  initial,
  latest,
  hosts,
  serverHost,
}: {
  initial: MetricsRangeDto;
  latest: HostSample | null;
  /** The hosts with metrics recorded, this server's among them. */
  hosts: readonly string[];
  serverHost: string;
}) {
  const router = useRouter();
  const [picked, setPicked] = useState(initial.host);
  const onServerHost = picked === serverHost;
  const host = useHostMetrics(initial, initial.requested.to - initial.requested.from, latest, onServerHost);
  const { metrics } = host.live;
  const [range, setRange] = useState<RangeChoice>(initial.range);
  const [requested, setRequested] = useState(initial.requested);
  const [customOpen, setCustomOpen] = useState(initial.range === 'custom');
  const [runs, setRuns] = useState(initial.runs);
  const [runsTruncated, setRunsTruncated] = useState(initial.runsTruncated);
  const [loading, setLoading] = useState<RangeChoice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showVirtual, setShowVirtual] = useState(false);

  useSubscription({ topic: 'executions' }, (frame) => {
    // On (re)subscribing the server sends the active and newest runs: what a dropped socket missed.
    const changed =
      frame.type === 'execution.updated'
        ? [frame.execution]
        : frame.type === 'subscribed' && frame.topic === 'executions'
          ? frame.items
          : [];
    if (changed.length > 0)
      setRuns((current) => changed.reduce((runs, run) => foldRun(runs, run, metrics.from, picked), current));
  });

  const show = (answer: MetricsRangeDto, next: RangeChoice) => {
    const span = answer.requested.to - answer.requested.from;
    // A window ending before the newest sample stays as it is; the others move with the samples.
    const follows =
      answer.host === serverHost &&
      (next !== 'custom' || answer.requested.to >= Date.now() - METRIC_RANGE_MS['1h']);
    host.reset(answer, span, follows);
    setRuns(answer.runs);
    setRunsTruncated(answer.runsTruncated);
    setRange(next);
    setRequested(answer.requested);
  };

  const load = async (next: RangeChoice, window?: { from: number; to: number }, forHost = picked) => {
    setLoading(next);
    setError(null);
    try {
      show(await apiFetch(pathOf(forHost, next, window), { schema: metricsRangeSchema }), next);
      setPicked(forHost);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setLoading(null);
    }
  };

  // Another host's window, read again every 10 s; the first read comes at once after it is picked.
  const polled = usePolled(
    onServerHost ? null : pathOf(picked, range, range === 'custom' ? requested : undefined),
    metricsRangeSchema,
    OTHER_HOST_REFRESH_MS,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: each answer is shown once, as it comes.
  useEffect(() => {
    if (polled) show(polled, polled.range);
  }, [polled]);

  /** A range or host picked: this server's is read once then followed live, another's polled. */
  const choose = (next: RangeChoice, window?: { from: number; to: number }, forHost = picked) => {
    if (forHost === serverHost) {
      void load(next, window, forHost);
      return;
    }
    setPicked(forHost);
    setRange(next);
    if (window) setRequested(window);
  };

  // This server's latest sample says which of its interfaces are virtual; another host's series alone do not.
  const latestHere = onServerHost ? host.latest : null;
  const interfaces = useMemo(() => networkInterfaces(metrics, latestHere), [metrics, latestHere]);
  const hidden = useMemo(
    () => new Set(showVirtual ? [] : interfaces.filter((nic) => nic.virtual).map((nic) => nic.name)),
    [interfaces, showVirtual],
  );
  const charts = useMemo(() => systemCharts(metrics, hidden), [metrics, hidden]);
  const bands = useMemo(() => runs.map((run) => bandOf(run, metrics.to)), [runs, metrics.to]);
  const xRange = useMemo(() => [metrics.from, metrics.to] as const, [metrics.from, metrics.to]);
  const tier = metrics.tier === 'raw' ? 'raw samples' : `${metrics.tier} rollups`;
  const virtualCount = interfaces.filter((nic) => nic.virtual).length;
  const label = range === 'custom' ? 'Custom range' : `Last ${METRIC_RANGE_LABELS[range]}`;

  return (
    <>
      <PageHeader
        title="System"
        actions={
          <>
            {hosts.length > 1 ? (
              <HostPicker
                hosts={hosts}
                value={picked}
                onChange={(next) => {
                  choose(range, range === 'custom' ? requested : undefined, next);
                  // The address names the host shown, so a reload or a shared link opens it.
                  window.history.replaceState(
                    null,
                    '',
                    systemPagePath(next === serverHost ? undefined : next),
                  );
                }}
                serverHost={serverHost}
                disabled={loading !== null}
                testId="metrics-host"
              />
            ) : null}
            <ButtonGroup label="Time range">
              {METRIC_RANGES.map((option) => (
                <Button
                  key={option}
                  size="small"
                  aria-pressed={option === range}
                  disabled={loading !== null}
                  onClick={() => {
                    setCustomOpen(false);
                    choose(option);
                  }}
                  data-testid={`range-${option}`}
                >
                  {METRIC_RANGE_LABELS[option]}
                </Button>
              ))}
              <Button
                size="small"
                aria-pressed={range === 'custom'}
                aria-expanded={customOpen}
                disabled={loading !== null}
                onClick={() => setCustomOpen((open) => !open)}
                data-testid="range-custom"
              >
                Custom…
              </Button>
            </ButtonGroup>
          </>
        }
      />
      {customOpen ? (
        <CustomRangeForm
          initial={requested}
          busy={loading !== null}
          onApply={(window) => choose('custom', window)}
        />
      ) : null}
      <p
        className={styles.meta}
        data-testid="metrics-tier"
        data-host={picked}
        data-tier={metrics.tier}
        data-step-ms={metrics.stepMs}
        data-from={metrics.from}
        data-to={metrics.to}
      >
        {label}: <Time epochMs={metrics.from} format="datetime" /> to{' '}
        <Time epochMs={metrics.to} format="datetime" />
        {metrics.from > requested.from ? ' (where the samples start)' : ''}, from {tier}, a point every{' '}
        {formatDuration(metrics.stepMs)} ({formatCount(metrics.t.length)} points). Shaded: agent runs; hover
        one to name it, click to open it.
        {loading ? ' Loading…' : ''}
      </p>
      {error ? (
        <Callout tone="error" alert testId="metrics-error" as="p">
          {error}
        </Callout>
      ) : null}
      <PanelGrid>
        {charts.map((chart) => (
          <Panel
            key={chart.id}
            title={chart.title}
            actions={
              chart.id === 'network' && virtualCount > 0 ? (
                <Check
                  label={`Virtual interfaces (${virtualCount})`}
                  checked={showVirtual}
                  onChange={(event) => setShowVirtual(event.target.checked)}
                  data-testid="show-virtual-interfaces"
                />
              ) : null
            }
          >
            <TimeChart
              label={`${chart.title}, ${label.toLowerCase()}: ${chart.lines.map((line) => line.label).join(', ')}`}
              xKind="time"
              x={metrics.t}
              series={chart.lines}
              scales={[{ key: 'y', unit: chart.unit }]}
              xRange={xRange}
              bands={bands}
              onBandClick={(band) => router.push(`/executions/${band.key}`)}
              syncKey="system"
              testId={`chart-${chart.id}`}
            />
          </Panel>
        ))}
      </PanelGrid>
      {charts.length === 0 ? <Empty testId="metrics-empty">No samples in this range yet.</Empty> : null}
      <PanelGrid>
        <Panel title="Now">
          {onServerHost ? (
            <CurrentValues sample={host.latest} hiddenInterfaces={hidden} />
          ) : (
            <Empty testId="now-other-host">
              {picked} is sampled by its own process: its charts above are read again every{' '}
              {formatDuration(OTHER_HOST_REFRESH_MS)}, and their last point is its latest sample.
            </Empty>
          )}
        </Panel>
        <Panel title="Runs in this range" count={runs.length}>
          {runs.length === 0 ? (
            <Empty>No agent run in this range.</Empty>
          ) : (
            <ul className={styles.runs} data-testid="run-bands">
              {runs
                .slice(-LISTED_RUNS)
                .reverse()
                .map((run) => (
                  <li key={run.id} data-testid="run-band" data-id={run.id}>
                    <Link href={`/executions/${run.id}`}>
                      #{run.id} {run.agentName}
                    </Link>{' '}
                    <span className="muted small">
                      {run.status}, <Time epochMs={run.startedAt} />
                      {run.finishedAt === null
                        ? ', running'
                        : ` for ${formatDuration(run.finishedAt - run.startedAt)}`}
                    </span>
                  </li>
                ))}
            </ul>
          )}
          {runs.length > LISTED_RUNS || runsTruncated ? (
            <p className="muted small">Only the most recent runs are listed.</p>
          ) : null}
        </Panel>
      </PanelGrid>
    </>
  );
}
