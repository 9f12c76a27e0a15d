// Relative links in the documentation point at files that exist and at headings that exist.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = ['README.md', 'CONTRIBUTING.md'];

/** The text outside fenced code blocks, one entry per line (code lines left empty). */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const lines = prose(readFileSync(join(root, file), 'utf8'));
  return new Set(
    lines.filter((line) => /^#{1,6} /.test(line)).map((line) => slugOf(line.replace(/^#+ /, ''))),
  );
}

describe.each(DOCS)('%s', (doc) => {
  it('links to files and headings that exist', () => {
    const broken: string[] = [];
    prose(readFileSync(join(root, doc), 'utf8')).forEach((line, i) => {
      for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
        const [path, anchor] = target!.split('#', 2) as [string, string | undefined];
        const file = path === '' ? doc : join(dirname(doc), path);
        if (!existsSync(join(root, file))) broken.push(`${doc}:${i + 1}: no file ${file}`);
        else if (anchor !== undefined && !anchorsOf(file).has(anchor)) {
          broken.push(`${doc}:${i + 1}: no heading #${anchor} in ${file}`);
        }
      }
    });
    expect(broken, broken.join('\n')).toEqual([]);
  });
});
