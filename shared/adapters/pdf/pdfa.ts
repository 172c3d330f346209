import { createHash } from 'node:crypto';
import type { DocumentInfo, PdfDocument } from '#adapters/pdf/document';
import { bytes, date, name, type PdfRef, text } from '#adapters/pdf/objects';
import { SRGB_DESCRIPTION, srgbProfile } from '#adapters/pdf/srgb-profile';

export interface AssociatedFile {
  filename: string;
  /** MIME type, e.g. application/xml. */
  mimeType: string;
  data: Uint8Array | string;
  description: string;
  /** How the file relates to the document (ISO 32000-2, 14.13.2); Alternative: the same content. */
  relationship: 'Alternative' | 'Data' | 'Source' | 'Supplement';
}

/**
 * Makes `doc` claim PDF/A-3B (ISO 19005-3) and attaches `files` as associated files, the way
 * Factur-X embeds its XML: XMP metadata in step with the Info dictionary, an sRGB output intent
 * for the DeviceRGB colours, each file an EmbeddedFile (with MIME subtype, size, date and MD5)
 * listed in the catalog's /AF array and in the /EmbeddedFiles name tree. Fonts are embedded by
 * the document itself; nothing on the pages uses transparency. Call before `save`.
 */
export function conformToPdfA3(doc: PdfDocument, files: readonly AssociatedFile[]): void {
  const { writer, catalog, documentInfo } = doc;
  catalog.Metadata = writer.addStream(
    { Type: name('Metadata'), Subtype: name('XML') },
    Buffer.from(xmpPacket(documentInfo), 'utf8'),
    // ISO 19005-3, 6.6.2.1: the metadata stream is not filtered, so any tool can read it.
    { compress: false },
  );
  const profile = srgbProfile();
  catalog.OutputIntents = [
    {
      Type: name('OutputIntent'),
      S: name('GTS_PDFA1'),
      OutputConditionIdentifier: text(SRGB_DESCRIPTION),
      Info: text(SRGB_DESCRIPTION),
      DestOutputProfile: writer.addStream({ N: 3 }, profile),
    },
  ];
  // The pages are not tagged: the catalog says so rather than leaving it to be guessed.
  catalog.MarkInfo = { Marked: false };

  const specs: PdfRef[] = [];
  const names: (ReturnType<typeof text> | PdfRef)[] = [];
  // The name tree's keys are sorted (7.9.6).
  for (const file of [...files].sort((a, b) => (a.filename < b.filename ? -1 : 1))) {
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : Buffer.from(file.data);
    const stream = writer.addStream(
      {
        Type: name('EmbeddedFile'),
        Subtype: name(file.mimeType),
        Params: {
          Size: data.byteLength,
          ModDate: date(documentInfo.creationDate),
          CheckSum: bytes(createHash('md5').update(data).digest()),
        },
      },
      data,
    );
    const spec = writer.add({
      Type: name('Filespec'),
      F: text(file.filename),
      UF: text(file.filename),
      Desc: text(file.description),
      AFRelationship: name(file.relationship),
      EF: { F: stream, UF: stream },
    });
    specs.push(spec);
    names.push(text(file.filename), spec);
  }
  if (specs.length > 0) {
    catalog.AF = specs;
    catalog.Names = { EmbeddedFiles: { Names: names } };
  }
}

/** XMP (ISO 16684-1) with the PDF/A identification and the Info dictionary's entries. */
function xmpPacket(info: DocumentInfo): string {
  const alt = (value: string) =>
    `<rdf:Alt><rdf:li xml:lang="x-default">${escapeXmp(value)}</rdf:li></rdf:Alt>`;
  const created = info.creationDate.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
    '<pdfaid:part>3</pdfaid:part>',
    '<pdfaid:conformance>B</pdfaid:conformance>',
    '</rdf:Description>',
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<dc:format>application/pdf</dc:format>',
    `<dc:title>${alt(info.title)}</dc:title>`,
    info.author === undefined
      ? ''
      : `<dc:creator><rdf:Seq><rdf:li>${escapeXmp(info.author)}</rdf:li></rdf:Seq></dc:creator>`,
    info.subject === undefined ? '' : `<dc:description>${alt(info.subject)}</dc:description>`,
    `<dc:language><rdf:Bag><rdf:li>${escapeXmp(info.lang)}</rdf:li></rdf:Bag></dc:language>`,
    '</rdf:Description>',
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">',
    `<xmp:CreateDate>${created}</xmp:CreateDate>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="r"?>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function escapeXmp(value: string): string {
  return value.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
