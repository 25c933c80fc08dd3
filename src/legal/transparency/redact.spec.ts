import { redact } from './redact.js';

describe('redact', () => {
  it('hides e-mails, phones, domains, known names and people', () => {
    const out = redact('Jane Doe (jane@doe.example, +34 600 123 456) says acme-official.example and acme-official defame Dr. Smith; see https://x.example/a', [
      'acme-official.example',
      'Yes Lab',
    ]);
    expect(out).not.toMatch(/Jane|Doe|jane@|600|acme|Smith|x\.example/);
    expect(out).toContain('[e-mail]');
    expect(out).toContain('[phone]');
    expect(out).toContain('[name]');
  });

  it('keeps ordinary words and dates', () => {
    expect(redact('A takedown demand about a parody page; we refused.')).toBe('A takedown demand about a parody page; we refused.');
    expect(redact('Received on 2026-03-02, answered 15/03/2026.')).toBe('Received on 2026-03-02, answered 15/03/2026.');
  });
});
