/**
 * The `values` column of host_samples and host_rollups: fixed-size little-endian records, one per
 * series present at that instant. Sparse by series id, so an interface that came and went costs
 * nothing in later rows; fixed-size, so reading a year of buckets is a loop over a DataView
 * instead of parsing ~45,000 JSON numbers.
 */

/** Running count, sum, minimum and maximum of one series over a bucket. */
export interface SeriesAggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

// sample record: u32 series id, f64 value
const SAMPLE_RECORD = 12;
// rollup record: u32 series id, u32 count, f64 sum, f64 min, f64 max
const ROLLUP_RECORD = 32;

const viewOf = (blob: Uint8Array) => new DataView(blob.buffer, blob.byteOffset, blob.byteLength);

export function encodeSampleValues(values: ReadonlyMap<number, number>): Buffer {
  const blob = Buffer.alloc(values.size * SAMPLE_RECORD);
  let offset = 0;
  for (const [seriesId, value] of values) {
    blob.writeUInt32LE(seriesId, offset);
    blob.writeDoubleLE(value, offset + 4);
    offset += SAMPLE_RECORD;
  }
  return blob;
}

export function decodeSampleValues(blob: Uint8Array, visit: (seriesId: number, value: number) => void): void {
  const view = viewOf(blob);
  for (let offset = 0; offset + SAMPLE_RECORD <= view.byteLength; offset += SAMPLE_RECORD) {
    visit(view.getUint32(offset, true), view.getFloat64(offset + 4, true));
  }
}

export function encodeAggregates(aggregates: ReadonlyMap<number, SeriesAggregate>): Buffer {
  const blob = Buffer.alloc(aggregates.size * ROLLUP_RECORD);
  let offset = 0;
  for (const [seriesId, { count, sum, min, max }] of aggregates) {
    blob.writeUInt32LE(seriesId, offset);
    blob.writeUInt32LE(count, offset + 4);
    blob.writeDoubleLE(sum, offset + 8);
    blob.writeDoubleLE(min, offset + 16);
    blob.writeDoubleLE(max, offset + 24);
    offset += ROLLUP_RECORD;
  }
  return blob;
}

/** Visits each record; plain arguments rather than an object per record (a year is ~45,000 of them). */
export function decodeAggregates(
  blob: Uint8Array,
  visit: (seriesId: number, count: number, sum: number, min: number, max: number) => void,
): void {
  const view = viewOf(blob);
  for (let offset = 0; offset + ROLLUP_RECORD <= view.byteLength; offset += ROLLUP_RECORD) {
    visit(
      view.getUint32(offset, true),
      view.getUint32(offset + 4, true),
      view.getFloat64(offset + 8, true),
      view.getFloat64(offset + 16, true),
      view.getFloat64(offset + 24, true),
    );
  }
}

/** Folds a finer bucket's aggregate (a sample is count 1, sum = min = max = value) into a coarser one's. */
export function mergeAggregate(
  into: Map<number, SeriesAggregate>,
  seriesId: number,
  count: number,
  sum: number,
  min: number,
  max: number,
): void {
  const current = into.get(seriesId);
  if (!current) {
    into.set(seriesId, { count, sum, min, max });
    return;
  }
  current.count += count;
  current.sum += sum;
  if (min < current.min) current.min = min;
  if (max > current.max) current.max = max;
}
