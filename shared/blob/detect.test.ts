import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectKind, KindDetector, matchesDeclared } from './detect.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);

function dicom(): Uint8Array {
  const bytes = new Uint8Array(132 + 8);
  bytes.set(new TextEncoder().encode('DICM'), 128);
  return bytes;
}

describe('detectKind', () => {
  it('tells a PDF by %PDF-', () => {
    assert.equal(detectKind(new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj')), 'pdf');
  });

  it('tells a JPEG by FF D8 FF', () => {
    assert.equal(detectKind(JPEG), 'jpeg');
  });

  it('tells a PNG by its 8-byte signature', () => {
    assert.equal(detectKind(PNG), 'png');
  });

  it('tells DICOM by DICM after the 128-byte preamble, and not DICM anywhere else', () => {
    assert.equal(detectKind(dicom()), 'dicom');
    const early = new Uint8Array(140);
    early.set(new TextEncoder().encode('DICM'), 0);
    assert.equal(detectKind(early), undefined); // NULs: not text either
  });

  it('tells UTF-8 plain text, and refuses NULs, control characters and invalid UTF-8', () => {
    assert.equal(detectKind(new TextEncoder().encode('Blood pressure 120/80\r\n\tnormal — café\n')), 'text');
    assert.equal(detectKind(new TextEncoder().encode('abc\u0000def')), undefined);
    assert.equal(detectKind(new TextEncoder().encode('abc\u001bdef')), undefined);
    assert.equal(detectKind(Uint8Array.from([0x61, 0xc3, 0x28])), undefined);
  });

  it('detects a PNG renamed as a PDF as png, and it does not match the declared type', () => {
    const kind = detectKind(PNG);
    assert.equal(kind, 'png');
    assert.equal(matchesDeclared(kind, 'application/pdf'), false);
  });

  it('returns undefined for empty input and for a truncated signature', () => {
    assert.equal(detectKind(new Uint8Array()), undefined);
    assert.equal(detectKind(PNG.subarray(0, 4)), undefined);
  });
});

describe('KindDetector', () => {
  /** The kind of `bytes` pushed in pieces cut at `cuts`. */
  const streamed = (bytes: Uint8Array, cuts: number[]) => {
    const detector = new KindDetector();
    [0, ...cuts].forEach((from, i) => detector.push(bytes.subarray(from, cuts[i] ?? bytes.length)));
    return detector.kind();
  };
  const text = (s: string) => new TextEncoder().encode(s);

  it('tells what detectKind tells, however the bytes are cut', () => {
    const samples = [text('%PDF-1.7\n1 0 obj'), PNG, JPEG, dicom(), text('Befund: Patientin, 54 J., Röntgen Thorax\n'), text('a\u0000b'), new Uint8Array([0xc3, 0x28])];
    for (const bytes of samples) {
      for (const cuts of [[], [1], [3, 4], [100, 129, 131], [bytes.length - 1]]) {
        assert.equal(streamed(bytes, cuts.filter((c) => c > 0 && c < bytes.length)), detectKind(bytes), `${detectKind(bytes)} cut at ${cuts}`);
      }
    }
  });

  it('keeps a character split between chunks whole, and finds a control character or a cut-off sequence in the last chunk', () => {
    const umlaut = text('Röntgen'); // ö is two bytes: 0xc3 0xb6
    assert.equal(streamed(umlaut, [2]), 'text');
    assert.equal(streamed(text(`${'x'.repeat(200)}\u0007`), [150]), undefined);
    assert.equal(streamed(umlaut.subarray(0, 2), [1]), undefined, 'ends inside a character');
  });

  it('tells DICOM from its DICM arriving in the last of several chunks', () => {
    assert.equal(streamed(dicom(), [64, 128, 130]), 'dicom');
  });
});

describe('matchesDeclared', () => {
  it('matches each kind to its content type, ignoring case and parameters', () => {
    assert.equal(matchesDeclared('pdf', 'application/pdf'), true);
    assert.equal(matchesDeclared('jpeg', 'image/jpeg'), true);
    assert.equal(matchesDeclared('png', 'IMAGE/PNG'), true);
    assert.equal(matchesDeclared('dicom', 'application/dicom'), true);
    assert.equal(matchesDeclared('text', 'text/plain; charset=utf-8'), true);
  });

  it('refuses a mismatch and an unknown kind', () => {
    assert.equal(matchesDeclared('jpeg', 'image/png'), false);
    assert.equal(matchesDeclared('text', 'text/html'), false);
    assert.equal(matchesDeclared(undefined, 'application/octet-stream'), false);
  });
});
