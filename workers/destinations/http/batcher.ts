/**
 * Cuts the lines handed to write() into batches of at most `batchRecords` records or about
 * `batchBytes` bytes (a batch ends at the line that reaches it), and cuts what is pending
 * `batchIntervalMs` after its first record. Lines are copied once, in write().
 */
export class Batcher {
  private pieces: Buffer[] = [];
  /** The level bytes of the pending lines, when write() was given them. */
  private levelPieces: Uint8Array[] = [];
  private levelsComplete = true;
  /** Bytes and records waiting for the next cut. */
  bytes = 0;
  records = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly batchRecords: number,
    private readonly batchBytes: number,
    private readonly intervalMs: number,
    /** Receives each batch: '\n'-terminated lines, their count and, when every line's level
     * byte was given, those. */
    private readonly onBatch: (data: Buffer, records: number, levels?: Uint8Array) => void,
  ) {}

  /** Takes the lines of a lent buffer (copied here, with their level bytes if given) and
   * cuts every batch that fills up. */
  add(chunk: Buffer, levels?: Uint8Array): void {
    const copy = Buffer.allocUnsafe(chunk.length);
    chunk.copy(copy);
    const lv = levels === undefined ? undefined : Uint8Array.from(levels);
    if (lv === undefined) this.levelsComplete = false;
    let start = 0;
    let startLine = 0;
    let line = 0;
    let pos = 0;
    while (pos < copy.length) {
      const nl = copy.indexOf(10, pos);
      pos = nl === -1 ? copy.length : nl + 1;
      this.records++;
      line++;
      if (this.records >= this.batchRecords || this.bytes + pos - start >= this.batchBytes) {
        this.push(copy.subarray(start, pos), lv?.subarray(startLine, line));
        start = pos;
        startLine = line;
        this.cut();
        if (lv === undefined) this.levelsComplete = false;
      }
    }
    if (start < copy.length) this.push(copy.subarray(start), lv?.subarray(startLine, line));
    if (this.records > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.cut();
      }, this.intervalMs);
    }
  }

  private push(piece: Buffer, levels: Uint8Array | undefined): void {
    this.pieces.push(piece);
    if (levels !== undefined) this.levelPieces.push(levels);
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
    let levels: Uint8Array | undefined;
    if (this.levelsComplete && this.levelPieces.length > 0) {
      levels =
        this.levelPieces.length === 1 ? this.levelPieces[0]! : Buffer.concat(this.levelPieces);
      if (levels.length !== records) levels = undefined;
    }
    this.levelPieces = [];
    this.levelsComplete = true;
    this.pieces = [];
    this.bytes = 0;
    this.records = 0;
    this.onBatch(data, records, levels);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
