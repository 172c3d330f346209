/** The part of mailparser (the SES local server's parser) the tests use to read MIME back. */
declare module 'mailparser' {
  export interface ParsedMail {
    subject?: string;
    text?: string;
    html: string | false;
    attachments: { filename?: string; contentType: string; content: Buffer }[];
  }
  export function simpleParser(source: string | Buffer): Promise<ParsedMail>;
}
