/**
 * The code blocks of README.md and docs/*.md, read the way test/e2e/docs.test.ts runs them.
 * The conventions (also in docs/architecture.md, "Code blocks in the docs"):
 *
 * - A ```ts, ```js or ```sh block runs, unless the line before it (blank lines allowed) is
 *   `<!-- fragment: reason -->`: then it is counted and listed as a fragment, with its reason.
 * - A block (of any language) preceded by `<!-- output -->` is what the runnable block before it
 *   prints on stdout, line for line; `…` in it stands for any text.
 * - Words after the language in the info string: `file=PATH` compares that file (relative to
 *   the block's directory) instead of stdout; `pino`, `winston`, `ringlog` name the library a
 *   block of docs/migrating.md uses; `differs=a,b` names the fields of a `ringlog` block's
 *   records that differ on purpose from the block before it.
 * - Any other block (```json without `<!-- output -->`, diagrams, config files) is not code.
 */
import { readFileSync } from 'node:fs';

export interface Block {
  file: string;
  line: number;
  lang: string;
  words: string[];
  code: string;
  /** The HTML comment just before the opening fence, if any. */
  marker: string | undefined;
  /** Set on a runnable block followed by an `<!-- output -->` block. */
  output?: Block;
}

export interface DocBlocks {
  runnable: Block[];
  fragments: { block: Block; reason: string }[];
  outputs: Block[];
  notCode: Block[];
}

const RUNNABLE = new Set(['ts', 'js', 'sh']);

export function readBlocks(path: string, file: string): Block[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: Block[] = [];
  let marker: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)(.*)$/.exec(lines[i]!);
    if (open === null) {
      const t = lines[i]!.trim();
      if (/^<!--.*-->$/.test(t)) marker = t;
      else if (t !== '') marker = undefined;
      continue;
    }
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) body.push(lines[j++]!.slice(indent));
    blocks.push({
      file,
      line: i + 1,
      lang: open[2]!,
      words: open[3]!.trim().split(/\s+/).filter(Boolean),
      code: body.join('\n'),
      marker,
    });
    marker = undefined;
    i = j;
  }
  return blocks;
}

export function classify(blocks: Block[]): DocBlocks {
  const out: DocBlocks = { runnable: [], fragments: [], outputs: [], notCode: [] };
  let last: Block | undefined;
  for (const b of blocks) {
    const fragment = b.marker === undefined ? null : /^<!-- fragment: (.+) -->$/.exec(b.marker);
    if (b.marker === '<!-- output -->') {
      if (last === undefined || last.output !== undefined)
        throw new Error(`${b.file}:${b.line}: an output block with no runnable block before it`);
      last.output = b;
      out.outputs.push(b);
    } else if (RUNNABLE.has(b.lang) && fragment !== null) {
      out.fragments.push({ block: b, reason: fragment[1]! });
      last = undefined;
    } else if (RUNNABLE.has(b.lang)) {
      out.runnable.push(b);
      last = b;
    } else {
      out.notCode.push(b);
      last = undefined;
    }
  }
  return out;
}

/** Each expected line as a RegExp: the text as written, `…` matching any text. */
export function matchLines(actual: string, expected: string): string | undefined {
  const got = actual.split('\n').filter((l) => l !== '');
  const want = expected.split('\n').filter((l) => l !== '');
  if (got.length !== want.length)
    return `${got.length} lines printed, ${want.length} documented:\n${actual}`;
  for (let i = 0; i < want.length; i++) {
    const re = new RegExp(
      `^${want[i]!.split('…')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*?')}$`,
    );
    if (!re.test(got[i]!)) return `line ${i + 1} printed:\n${got[i]}\ndocumented:\n${want[i]}`;
  }
  return undefined;
}
