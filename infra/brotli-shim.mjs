// fontkit needs brotli only for WOFF2 fonts; Node's zlib replaces the 450 KB pure-JS decoder.
import { brotliDecompressSync } from 'node:zlib';
export default (buffer) => new Uint8Array(brotliDecompressSync(buffer));
