import type { EmbeddedFont } from '#adapters/pdf/font';
import { wrapLines } from '#adapters/pdf/line-break';
import { number } from '#adapters/pdf/objects';

export type Align = 'left' | 'center' | 'right';

export interface TextStyle {
  size: number;
  /** `#rrggbb` */
  color: string;
  characterSpacing?: number;
}

/** A stretch of a paragraph in its own colour. */
export interface TextRun {
  text: string;
  color: string;
}

export interface ParagraphOptions {
  size: number;
  /** Lines wrap within this width. */
  width: number;
  align?: Align;
}

export interface StrokeStyle {
  width: number;
  color: string;
}

/** The name the page's resources give the font. */
export const FONT_RESOURCE = 'F1';

/**
 * One page's drawing, in points from the top-left corner (y grows downwards, as a layout
 * is written); the content stream gets PDF's bottom-left coordinates. Text is placed by
 * the top of its line: the baseline sits the font's ascender below `y`.
 */
export class PdfPage {
  private readonly operators: string[] = [];
  private fill?: string;
  private stroke?: string;
  private strokeWidth?: number;

  constructor(
    readonly font: EmbeddedFont,
    readonly width: number,
    readonly height: number,
  ) {}

  /** The content stream as drawn so far. */
  get content(): string {
    return `${this.operators.join('\n')}\n`;
  }

  /** One line of text at (x, y), not wrapped. */
  text(value: string, x: number, y: number, style: TextStyle): void {
    const shown = value.replace(/\n/g, '');
    if (shown === '') return;
    this.setFill(style.color);
    const baseline = this.height - y - (this.font.ascender / 1000) * style.size;
    this.operators.push(
      `BT /${FONT_RESOURCE} ${number(style.size)} Tf ${number(style.characterSpacing ?? 0)} Tc ` +
        `${number(x)} ${number(baseline)} Td <${this.font.encode(shown)}> Tj ET`,
    );
  }

  /**
   * Runs wrapped together within `width`, each line aligned, one line height apart.
   * Returns the height taken.
   */
  paragraph(runs: readonly TextRun[], x: number, y: number, options: ParagraphOptions): number {
    const { size, width } = options;
    const value = runs.map((run) => run.text).join('');
    const measure = (text: string) => this.font.widthOf(text, size);
    const lines = wrapLines(value, width, measure);
    const lineHeight = this.font.lineHeight(size);
    lines.forEach((line, index) => {
      const lineWidth = measure(value.slice(line.start, line.end));
      let left = x;
      if (options.align === 'center') left += (width - lineWidth) / 2;
      else if (options.align === 'right') left += width - lineWidth;
      let runStart = 0;
      for (const run of runs) {
        const from = Math.max(line.start, runStart);
        const to = Math.min(line.end, runStart + run.text.length);
        runStart += run.text.length;
        if (from >= to) continue;
        const piece = value.slice(from, to);
        this.text(piece, left, y + index * lineHeight, { size, color: run.color });
        left += measure(piece);
      }
    });
    return lines.length * lineHeight;
  }

  line(x1: number, y1: number, x2: number, y2: number, style: StrokeStyle): void {
    this.setStroke(style);
    this.operators.push(
      `${number(x1)} ${number(this.height - y1)} m ${number(x2)} ${number(this.height - y2)} l S`,
    );
  }

  /** A stroked rectangle with its top-left corner at (x, y). */
  rect(x: number, y: number, width: number, height: number, style: StrokeStyle): void {
    this.setStroke(style);
    this.operators.push(
      `${number(x)} ${number(this.height - y - height)} ${number(width)} ${number(height)} re S`,
    );
  }

  private setFill(color: string): void {
    if (this.fill === color) return;
    this.fill = color;
    this.operators.push(`${rgb(color)} rg`);
  }

  private setStroke(style: StrokeStyle): void {
    if (this.strokeWidth !== style.width) {
      this.strokeWidth = style.width;
      this.operators.push(`${number(style.width)} w`);
    }
    if (this.stroke !== style.color) {
      this.stroke = style.color;
      this.operators.push(`${rgb(style.color)} RG`);
    }
  }
}

function rgb(color: string): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) throw new RangeError(`Not a #rrggbb colour: ${color}`);
  return match
    .slice(1, 4)
    .map((channel) => number(Number.parseInt(channel, 16) / 255))
    .join(' ');
}
