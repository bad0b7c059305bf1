/**
 * Reading a backend's 2xx answer for records it did not take: OTLP partial success and
 * Elasticsearch `_bulk` item results.
 */

/** OTLP ExportLogsServiceResponse: `partialSuccess.rejectedLogRecords` (int64, so a string
 * in JSON, or a number) and its message. A protobuf or empty answer rejects nothing. */
export function otlpRejected(body: Buffer): { rejected: number; message: string } {
  if (body.length === 0) return { rejected: 0, message: '' };
  try {
    const r = JSON.parse(body.toString('utf8')) as {
      partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string };
    };
    return {
      rejected: Number(r.partialSuccess?.rejectedLogRecords ?? 0) || 0,
      message: r.partialSuccess?.errorMessage ?? '',
    };
  } catch {
    return { rejected: 0, message: '' };
  }
}

export interface BulkOutcome {
  accepted: number;
  /** Lines whose items were answered 429: to be sent again. */
  again: string[];
  rejected: number;
  /** Status and error of the first rejected item, for the report. */
  firstError: string;
}

/**
 * `_bulk` answers 200 with `errors: true` when some items failed; `items[i]` is the result of
 * the i-th action, i.e. of `lines[i]`. Undefined when every item was taken.
 */
export function bulkOutcome(body: Buffer, lines: () => string[]): BulkOutcome | undefined {
  let items: Record<string, { status?: number; error?: unknown } | undefined>[];
  try {
    const r = JSON.parse(body.toString('utf8')) as { errors?: boolean; items?: unknown };
    if (r.errors !== true || !Array.isArray(r.items)) return undefined;
    items = r.items as typeof items;
  } catch {
    return undefined;
  }
  const all = lines();
  const out: BulkOutcome = { accepted: 0, again: [], rejected: 0, firstError: '' };
  for (let i = 0; i < all.length; i++) {
    const item = items[i];
    const result = item === undefined ? undefined : Object.values(item)[0];
    const status = result?.status ?? 0;
    if (status >= 200 && status < 300) out.accepted++;
    else if (status === 429) out.again.push(all[i]!);
    else {
      out.rejected++;
      if (out.firstError === '') {
        out.firstError = `${status} ${JSON.stringify(result?.error ?? null)}`;
      }
    }
  }
  return out;
}
