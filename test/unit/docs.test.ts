import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every reference in the code resolves in docs/: a rule number to its rule in DOMAIN.md, an
 * invariant number to its invariant in DESIGN.md, a document name to a file, a quoted or §
 * section name to a heading of that document.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const CODE_DIRS = ['shared', 'functions', 'infra', 'scripts', 'test', 'bench'];
// This file's own examples are not citations.
const SKIP = new Set(['node_modules', 'cdk.out', '.local', 'fixtures', 'docs.test.ts']);

interface Source {
  file: string;
  text: string;
}

function sourcesUnder(dir: string): Source[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    if (!/\.(ts|mts|mjs)$/.test(entry.name)) return [];
    return [{ file: path, text: readFileSync(join(root, path), 'utf8') }];
  });
}

const read = (path: string) => readFileSync(join(root, path), 'utf8');
const code = CODE_DIRS.flatMap(sourcesUnder);
const prose: Source[] = ['README.md', 'docs/API.md', 'docs/DESIGN.md', 'docs/DOMAIN.md']
  .filter((file) => existsSync(join(root, file)))
  .map((file) => ({ file, text: read(file) }));

/** Numbers cited as `R<n>`, with ranges such as `R14–R16` expanded. */
function citedRules(text: string): number[] {
  const numbers = new Set<number>();
  for (const m of text.matchAll(/\bR(\d+)\s*[–-]\s*R(\d+)\b/g)) {
    for (let n = Number(m[1]); n <= Number(m[2]); n++) numbers.add(n);
  }
  for (const m of text.matchAll(/\bR(\d+)\b/g)) numbers.add(Number(m[1]));
  return [...numbers];
}

/** Numbers cited as "invariant 3", "invariants 1 and 3", "Invariants 2, 3 and 5", "invariants 1 2 3". */
function citedInvariants(text: string): number[] {
  const numbers = new Set<number>();
  for (const m of text.matchAll(/\binvariants?\s+(\d+(?:(?:\s*,\s*|\s+and\s+|\s+|\s*[–-]\s*)\d+)*)/gi)) {
    for (const n of m[1]!.match(/\d+/g) ?? []) numbers.add(Number(n));
  }
  return [...numbers];
}

/** Headings of a Markdown document, without the leading #s. */
function headings(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => m[1]!.trim());
}

function where(sources: Source[], cites: (text: string) => number[], n: number): string[] {
  return sources.filter((s) => cites(s.text).includes(n)).map((s) => relative(root, join(root, s.file)));
}

describe('docs', () => {
  const domain = read('docs/DOMAIN.md');
  const design = read('docs/DESIGN.md');

  it('DOMAIN.md defines R1–R36 once each, in order', () => {
    // Act
    const defined = headings(domain)
      .map((h) => /^R(\d+)\s/.exec(h)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);

    // Assess
    expect(defined).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
  });

  it('every rule number cited in the code or the documents is a rule of DOMAIN.md', () => {
    // Prepare
    const defined = new Set(
      headings(domain).flatMap((h) => {
        const m = /^R(\d+)\s/.exec(h);
        return m ? [Number(m[1])] : [];
      }),
    );
    const cited = new Set([...code, ...prose].flatMap((s) => citedRules(s.text)));

    // Act
    const missing = [...cited].filter((n) => !defined.has(n)).sort((a, b) => a - b);

    // Assess
    expect(cited.size).toBeGreaterThanOrEqual(30); // the scan itself works
    expect(missing.map((n) => `R${n} (${where([...code, ...prose], citedRules, n).join(', ')})`)).toEqual([]);
  });

  it('every invariant number cited in the code or the documents is an invariant of DESIGN.md', () => {
    // Prepare
    const defined = new Set(
      headings(design).flatMap((h) => {
        const m = /^Invariant (\d+)\b/.exec(h);
        return m ? [Number(m[1])] : [];
      }),
    );
    const cited = new Set([...code, ...prose].flatMap((s) => citedInvariants(s.text)));

    // Act
    const missing = [...cited].filter((n) => !defined.has(n)).sort((a, b) => a - b);

    // Assess
    expect(defined.size).toBeGreaterThanOrEqual(6);
    expect(cited.size).toBeGreaterThanOrEqual(6); // the scan itself works
    expect(
      missing.map((n) => `invariant ${n} (${where([...code, ...prose], citedInvariants, n).join(', ')})`),
    ).toEqual([]);
  });

  it('every document named in the code exists in docs/ (or at the root)', () => {
    // Act
    const named = new Set(
      code.flatMap((s) => [...s.text.matchAll(/\b([A-Z][A-Z_]*\.md)\b/g)].map((m) => m[1]!)),
    );
    const missing = [...named].filter(
      (name) => !existsSync(join(root, 'docs', name)) && !existsSync(join(root, name)),
    );

    // Assess
    expect(named.size).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('every section named with a document (`DESIGN.md §Budgets`, `API.md, "Errors"`) is a heading of it', () => {
    // Prepare
    const docs: Record<string, string[]> = {
      'API.md': headings(read('docs/API.md')),
      'DESIGN.md': headings(design),
      'DOMAIN.md': headings(domain),
      'README.md': headings(read('README.md')),
    };
    const references = [...code, ...prose].flatMap((s) =>
      [
        ...s.text.matchAll(
          /\b(API|DESIGN|DOMAIN|README)\.md(?:,?\s*§\s*([A-Za-z][\w -]*[\w])|,\s*"([^"\n]+)")/g,
        ),
      ].map((m) => ({ file: s.file, doc: `${m[1]}.md`, section: (m[2] ?? m[3])!.trim() })),
    );

    // Act
    const unresolved = references.filter(
      ({ doc, section }) => !(docs[doc] ?? []).some((h) => h.toLowerCase().startsWith(section.toLowerCase())),
    );

    // Assess
    expect(unresolved.map((r) => `${r.file}: ${r.doc} "${r.section}"`)).toEqual([]);
  });
});

describe('citation scanners', () => {
  it('expand rule ranges and lists of invariants', () => {
    // Assess
    expect(citedRules('checks (R4, R7, R12, R14–R16) and R1-R3').sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 7, 12, 14, 15, 16,
    ]);
    expect(citedInvariants('Invariants 2, 3 and 5; invariant 4; invariants 1 2 3').sort()).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(citedRules('S3 bucket, RECORD#1, AR12')).toEqual([]);
  });
});
