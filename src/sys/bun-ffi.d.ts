// The part of Bun's `bun:ffi` that src/sys/fs-ffi.ts uses (the compiled executable only; Node.js
// never loads that file). Declared here rather than pulling in all of bun-types.
declare module 'bun:ffi' {
  type FFITypeName = 'i32' | 'u64' | 'i64' | 'i64_fast' | 'ptr' | 'void';
  export function dlopen(
    path: string,
    symbols: Record<string, { args: readonly FFITypeName[]; returns: FFITypeName }>,
  ): { symbols: Record<string, (...args: unknown[]) => unknown>; close(): void };
  export const read: { i32(ptr: number, byteOffset?: number): number };
}
