import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { bytes, name, type PdfDict, PdfRef, type PdfValue, serialize } from '#adapters/pdf/objects';

export interface StreamOptions {
  /** FlateDecode the data (default). XMP metadata, for one, is left readable. */
  compress?: boolean;
}

export interface Trailer {
  root: PdfRef;
  info?: PdfRef;
}

const HEADER = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');

/**
 * Numbered indirect objects written into one file with its cross-reference table (ISO
 * 32000-1, 7.5). Any dictionary or stream can be added; a reference can be reserved first
 * and filled later, so objects may point at each other in any order. The file ID is a hash
 * of the objects, so the same content always gives the same bytes.
 */
export class PdfWriter {
  private readonly objects: (Buffer | undefined)[] = [];

  /** A reference to an object whose content is given later with `set` or `setStream`. */
  reserve(): PdfRef {
    this.objects.push(undefined);
    return new PdfRef(this.objects.length);
  }

  add(value: PdfValue): PdfRef {
    const ref = this.reserve();
    this.set(ref, value);
    return ref;
  }

  addStream(dict: PdfDict, data: Uint8Array | string, options: StreamOptions = {}): PdfRef {
    const ref = this.reserve();
    this.setStream(ref, dict, data, options);
    return ref;
  }

  set(ref: PdfRef, value: PdfValue): void {
    this.store(ref, Buffer.from(`${ref.id} 0 obj\n${serialize(value)}\nendobj\n`, 'latin1'));
  }

  setStream(ref: PdfRef, dict: PdfDict, data: Uint8Array | string, options: StreamOptions = {}): void {
    const raw = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    const compress = options.compress ?? true;
    const content = compress ? deflateSync(raw) : raw;
    const head = serialize({
      ...dict,
      Length: content.byteLength,
      ...(compress ? { Filter: name('FlateDecode') } : {}),
    });
    this.store(
      ref,
      Buffer.concat([
        Buffer.from(`${ref.id} 0 obj\n${head}\nstream\n`, 'latin1'),
        content,
        Buffer.from('\nendstream\nendobj\n', 'latin1'),
      ]),
    );
  }

  /** The complete file. Every reserved object must have been given its content. */
  finish(trailer: Trailer): Uint8Array {
    const chunks: Buffer[] = [HEADER];
    const offsets: number[] = [];
    let offset = HEADER.byteLength;
    const hash = createHash('sha256');
    this.objects.forEach((object, i) => {
      if (!object) throw new Error(`PDF object ${i + 1} was reserved but never written`);
      offsets.push(offset);
      chunks.push(object);
      hash.update(object);
      offset += object.byteLength;
    });
    const id = bytes(hash.digest().subarray(0, 16));
    const xref = [
      `xref\n0 ${this.objects.length + 1}\n`,
      '0000000000 65535 f \n',
      ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`),
    ].join('');
    const dictionary = serialize({
      Size: this.objects.length + 1,
      Root: trailer.root,
      Info: trailer.info,
      ID: [id, id],
    });
    chunks.push(Buffer.from(`${xref}trailer\n${dictionary}\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
    return new Uint8Array(Buffer.concat(chunks));
  }

  private store(ref: PdfRef, object: Buffer): void {
    if (ref.id < 1 || ref.id > this.objects.length) throw new Error(`Unknown PDF object ${ref.id}`);
    if (this.objects[ref.id - 1]) throw new Error(`PDF object ${ref.id} written twice`);
    this.objects[ref.id - 1] = object;
  }
}
