import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

const SCHEMA_FILE = new URL('../../docs/schemas/fapiao-invoice.xsd', import.meta.url);

/**
 * Validates `xml` against docs/schemas/fapiao-invoice.xsd with libxml2's xmllint (compiled to
 * WebAssembly, so no system tool is needed). The error messages, empty when valid.
 */
export async function schemaErrors(xml: string | Uint8Array): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'invoice.xml', contents: xml }],
    schema: [{ fileName: 'fapiao-invoice.xsd', contents: readFileSync(SCHEMA_FILE, 'utf8') }],
  });
  return result.valid ? [] : result.errors.map((error) => error.rawMessage);
}
