/** Money arrives as integer fen; shown as yuan with two decimals, computed without floating point. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Yuan typed by a person ("12.5", "1,200.00") → fen, or undefined when it is not an amount. */
export function fenFromYuan(text: string): number | undefined {
  const m = text.replace(/[,\s¥]/g, '').match(/^(\d{1,13})(?:\.(\d{1,2}))?$/);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const CHINA_TIME = 'Asia/Shanghai';
const dateTime = new Map<string, Intl.DateTimeFormat>();

/** A timestamp in China time, whatever the browser's zone: 2026-12-04 18:30:05. */
export function chinaTime(iso: string | undefined, withSeconds = false): string {
  if (!iso) return '—';
  const key = String(withSeconds);
  let format = dateTime.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone: CHINA_TIME,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    dateTime.set(key, format);
  }
  return format.format(new Date(iso));
}

/** Today in China, YYYY-MM-DD. */
export function chinaDate(at: Date = new Date()): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: CHINA_TIME }).format(at);
}

export function taxRate(rate: string): string {
  return `${Math.round(Number(rate) * 10000) / 100}%`;
}
