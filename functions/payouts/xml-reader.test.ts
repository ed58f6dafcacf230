import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, parseXml } from './xml-reader.ts';

describe('the strict XML reader the payout tests rely on', () => {
  it('reads elements, attributes, text and entities', () => {
    const doc = parseXml('<?xml version="1.0"?>\n<a x="1" y=\'&lt;2&gt;\'><b>hi &amp; bye &#65;&#x42;</b><c/></a>\n');
    assert.deepEqual(doc.attributes, { x: '1', y: '<2>' });
    assert.equal(at(doc, 'b').text, 'hi & bye AB');
    assert.equal(doc.children.length, 2);
  });

  it('refuses what is not well-formed', () => {
    for (const bad of ['<a><b></a></b>', '<a>', '<a>1 < 2</a>', '<a>fish & chips</a>', '<a x="1" x="2"/>', '<a></a><b/>', '<a x=1/>', '<a>&nbsp;</a>', '']) {
      assert.throws(() => parseXml(bad), /not well-formed/, bad);
    }
  });
});
