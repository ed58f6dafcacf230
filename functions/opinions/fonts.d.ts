/** Font files imported as bytes (`with { type: 'bytes' }`); esbuild inlines them in the bundles. */
declare module '*.ttf' {
  const bytes: Uint8Array;
  export default bytes;
}
