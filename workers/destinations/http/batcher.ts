/**
 * Cuts the lines handed to write() into batches of at most `batchRecords` records or about
 * `batchBytes` bytes (a batch ends at the line that reaches it), and cuts what is pending
 * `batchIntervalMs` after its first record. Lines are copied once, in write().
 */
export class Batcher {
  private pieces: Buffer[] = [];
  /** Bytes and records waiting for the next cut. */
  bytes = 0;
  records = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly batchRecords: number,
    private readonly batchBytes: number,
    private readonly intervalMs: number,
    /** Receives each batch: '\n'-terminated lines and their count. */
    private readonly onBatch: (data: Buffer, records: number) => void,
  ) {}

  /** Takes the lines of a lent buffer (copied here) and cuts every batch that fills up. */
  add(chunk: Buffer): void {
    const copy = Buffer.allocUnsafe(chunk.length);
    chunk.copy(copy);
    let start = 0;
    let pos = 0;
    while (pos < copy.length) {
      const nl = copy.indexOf(10, pos);
      pos = nl === -1 ? copy.length : nl + 1;
      this.records++;
      if (this.records >= this.batchRecords || this.bytes + pos - start >= this.batchBytes) {
        this.push(copy.subarray(start, pos));
        start = pos;
        this.cut();
      }
    }
    if (start < copy.length) this.push(copy.subarray(start));
    if (this.records > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.cut();
      }, this.intervalMs);
    }
  }

  private push(piece: Buffer): void {
    this.pieces.push(piece);
    this.bytes += piece.length;
  }

  /** Hands over what is pending as one batch, if anything is. */
  cut(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.records === 0) return;
    const data = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    const records = this.records;
    this.pieces = [];
    this.bytes = 0;
    this.records = 0;
    this.onBatch(data, records);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
