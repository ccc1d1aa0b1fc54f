/** Escapes text for a PDF literal string; non-ASCII becomes '?' (the built-in fonts are Latin-1 only). */
function pdfString(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return `(${ascii.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

export interface PdfOptions {
  title: string;
  /** One line of text per entry, on a single page. */
  lines: readonly string[];
}

/**
 * Builds a small valid one-page PDF 1.4 (Helvetica text), with an exact xref
 * table so strict readers accept it.
 *
 * @example
 * const pdf = buildPdf({ title: 'Report', lines: ['Hello'] });
 */
export function buildPdf(options: PdfOptions): Buffer {
  const textOps = [
    'BT',
    '/F1 20 Tf',
    '72 720 Td',
    `${pdfString(options.title)} Tj`,
    '/F1 11 Tf',
    ...options.lines.flatMap((line) => ['0 -18 Td', `${pdfString(line)} Tj`]),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(textOps, 'latin1')} >>\nstream\n${textOps}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(options.title)} /Producer (Ferry generator) >>`,
  ];
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  const entries = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  body +=
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}` +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\n` +
    `startxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
