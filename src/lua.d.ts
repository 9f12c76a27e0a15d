/** Lua scripts are imported as text (tsup `text` loader; vitest `luaAsText` plugin). */
declare module '*.lua' {
  const source: string;
  export default source;
}
