// `npm test` brings what the tests need: missing Debian packages are installed when running as
// root (the CI and build-chroot case); otherwise the exact apt-get line is printed and we stop.
// Then the bundles in dist/ are rebuilt so the tests run the code in this checkout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEBIAN_DEPS } from './deps.mjs';

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const present = ([, probe]) => (probe.cmd ? have(probe.cmd) : existsSync(probe.file));

function missing() {
  return DEBIAN_DEPS.filter((d) => !present(d)).map(([pkg]) => pkg);
}

let need = missing();
if (need.length > 0 && process.env.ISA_SKIP_APT !== '1') {
  const line = `apt-get install -y --no-install-recommends ${need.join(' ')}`;
  if (process.getuid?.() === 0 && have('apt-get')) {
    console.log(`pretest: installing ${need.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (upd.status !== 0) console.error('pretest: apt-get update failed; trying the install anyway');
    spawnSync('sh', ['-c', `${line} >/tmp/isa-shim-apt.log 2>&1 || { tail -20 /tmp/isa-shim-apt.log; exit 1; }`], { stdio: 'inherit', env });
    need = missing();
  }
  if (need.length > 0) {
    console.error(`pretest: missing Debian packages: ${need.join(' ')}`);
    console.error(`pretest: run as root: apt-get update && apt-get install -y --no-install-recommends ${need.join(' ')}`);
    console.error('pretest: (or set ISA_SKIP_APT=1 to run the tests that do not need them)');
    process.exit(1);
  }
}

const b = spawnSync(process.execPath, [new URL('./build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
process.exit(b.status ?? 1);
