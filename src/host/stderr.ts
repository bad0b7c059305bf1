/** The one way the app side of ringlog speaks on stderr: a line with its stable code. */
import { writeSync } from 'node:fs';

export function warn(message: string, code: string): void {
  try {
    writeSync(2, `ringlog: ${message} (${code})\n`);
  } catch {
    // stderr is gone: nothing left to tell.
  }
}
