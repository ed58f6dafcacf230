import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { createCanvas } from '@napi-rs/canvas';
import { imageSize } from './image-size.ts';

describe('imageSize', () => {
  it('reads a PNG`s dimensions from its header', async () => {
    const png = createCanvas(321, 123).toBuffer('image/png');
    assert.deepEqual(imageSize(png, 'png'), { width: 321, height: 123 });
    const fixture = await readFile(new URL('./fixtures/scanned-report.png', import.meta.url));
    const size = imageSize(fixture, 'png')!;
    assert.ok(size.width > 100 && size.height > 100);
  });

  it('finds a JPEG`s frame header past its other segments', () => {
    const jpeg = createCanvas(640, 480).toBuffer('image/jpeg');
    assert.deepEqual(imageSize(jpeg, 'jpeg'), { width: 640, height: 480 });
    // An APP segment before the frame header, as cameras write (EXIF): the walk must skip it.
    const app1 = Buffer.from([0xff, 0xe1, 0x00, 0x08, 1, 2, 3, 4, 5, 6]);
    const withExif = Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
    assert.deepEqual(imageSize(withExif, 'jpeg'), { width: 640, height: 480 });
  });

  it('gives undefined for a header cut short or not an image', () => {
    assert.equal(imageSize(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'png'), undefined);
    assert.equal(imageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]), 'jpeg'), undefined);
    assert.equal(imageSize(new Uint8Array([0xff, 0xd8, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0]), 'jpeg'), undefined);
  });
});
