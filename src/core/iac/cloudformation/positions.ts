/** Offsets ↔ zero-based line and character, for template text (one pass to index, binary search to look up). */

export interface LineCharacter {
  /** Zero-based line. */
  line: number;
  /** Zero-based UTF-16 column. */
  character: number;
}

/** A stretch of the template text: offsets (end exclusive) and their zero-based line/character. */
export interface TextSpan {
  start: number;
  end: number;
  startPosition: LineCharacter;
  endPosition: LineCharacter;
}

export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1))
      this.lineStarts.push(index + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): LineCharacter {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offset(position: LineCharacter): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.lineStarts[position.line] + Math.max(0, position.character), this.text.length);
  }

  span(start: number, end: number): TextSpan {
    return { start, end, startPosition: this.position(start), endPosition: this.position(end) };
  }
}
