/** What the sink asks of a destination. Writes are synchronous: the sink releases ring
 * space only after they return, so a crash loses nothing (see src/ring.ts). */
export interface Destination {
  /** For diagnostics: "stderr", "file:/var/log/app.log", "module:./my-dest.js". */
  readonly name: string;
  /** Records below this level are not written here. */
  readonly minLevel: number;
  /**
   * Writes whole NDJSON lines before returning. The buffer is only lent: it may be a view of
   * the ring or a reused scratch buffer, so copy whatever must outlive the call.
   */
  write(chunk: Buffer): void;
  /** Pushes out anything buffered; called when a flush is requested. */
  flush(): void | Promise<void>;
  close(): void | Promise<void>;
}
