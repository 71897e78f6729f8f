// The Debian packages the tests use, and a command that proves each is installed. One list: the
// pretest step, .ci/run and the README all read it from here.
export const DEBIAN_DEPS = [
  // [package, how to tell it is there]
  ['gcc', { cmd: 'gcc' }],
  ['g++', { cmd: 'g++' }],
  ['make', { cmd: 'make' }],
  ['binutils', { cmd: 'readelf' }],
  ['clang', { cmd: 'clang' }],
  ['lld', { cmd: 'ld.lld' }],
  ['llvm', { cmd: 'llvm-ar' }],
  ['qemu-user', { cmd: 'qemu-x86_64' }],
  ['ccache', { cmd: 'ccache' }],
  ['distcc', { cmd: 'distccd' }],
  ['sccache', { cmd: 'sccache' }],
  ['gcc-12-plugin-dev', { file: '/usr/lib/gcc/x86_64-linux-gnu/12/plugin/include/gcc-plugin.h' }],
  ['libelf-dev', { file: '/usr/include/libelf.h' }],
  ['libssl-dev', { file: '/usr/include/openssl/ssl.h' }],
  ['bc', { cmd: 'bc' }],
  ['flex', { cmd: 'flex' }],
  ['bison', { cmd: 'bison' }],
  ['dwarves', { cmd: 'pahole' }],
  ['linux-source-6.1', { file: '/usr/src/linux-source-6.1.tar.xz' }],
  ['xz-utils', { cmd: 'xz' }],
  ['openssl', { cmd: 'openssl' }],
];
