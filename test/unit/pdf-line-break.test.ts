import { describe, expect, it } from 'vitest';
import { wrapLines } from '#adapters/pdf/line-break';

/** Every character is 1 wide: widths are character counts. */
const measure = (text: string) => [...text].length;
const lines = (text: string, width: number) =>
  wrapLines(text, width, measure).map(({ start, end }) => text.slice(start, end));

describe('wrapLines', () => {
  it('breaks Chinese text between any two characters', () => {
    expect(lines('杭州示例科技有限公司', 4)).toEqual(['杭州示例', '科技有限', '公司']);
  });

  it('breaks Latin text at spaces and leaves the spaces off the line ends', () => {
    expect(lines('order ORD 2026 paid', 10)).toEqual(['order ORD', '2026 paid']);
  });

  it('breaks a word wider than the line between its characters', () => {
    expect(lines('ORD-20261031', 5)).toEqual(['ORD-2', '02610', '31']);
  });

  it('keeps closing punctuation off the start of a line and opening punctuation off its end', () => {
    expect(lines('地址：浙江', 2)).toEqual(['地', '址：', '浙江']);
    expect(lines('电子（普通）', 3)).toEqual(['电子', '（普', '通）']);
  });

  it('breaks between Chinese and Latin text without a space', () => {
    expect(lines('订单号ORD', 4)).toEqual(['订单号', 'ORD']);
  });

  it('starts a line at each newline, and empty text still takes one line', () => {
    expect(lines('第一行\n\n第三行', 10)).toEqual(['第一行', '', '第三行']);
    expect(wrapLines('', 10, measure)).toEqual([{ start: 0, end: 0 }]);
  });
});
