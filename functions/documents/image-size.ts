/** Width and height of an image in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

// Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function pngSize(bytes: Uint8Array): ImageSize | undefined {
  // Signature (8), IHDR length (4), "IHDR" (4), then width and height, big-endian.
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2; // after SOI
  while (at + 9 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (SOF.has(marker)) return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame header
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}

/**
 * Reads an image's dimensions from its header, without decoding it, so a decompression bomb is refused before OCR.
 *
 * @example
 * const size = imageSize(bytes, 'png'); // { width: 1654, height: 2339 }
 */
export function imageSize(bytes: Uint8Array, kind: 'png' | 'jpeg'): ImageSize | undefined {
  return kind === 'png' ? pngSize(bytes) : jpegSize(bytes);
}
