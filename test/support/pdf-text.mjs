// Prints the text of the PDF given on stdin, one line per page (pdf.js, the parser browsers use).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const doc = await getDocument({ data: new Uint8Array(Buffer.concat(chunks)), useSystemFonts: false, verbosity: 0 }).promise;
const pages = [];
for (let n = 1; n <= doc.numPages; n++) {
  const content = await (await doc.getPage(n)).getTextContent();
  pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
}
process.stdout.write(JSON.stringify({ pages: doc.numPages, text: pages }));
