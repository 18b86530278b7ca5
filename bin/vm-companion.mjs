#!/usr/bin/env node
// vm-companion command line. Checks the Node version (the CLI is TypeScript run through Node's
// built-in type stripping), then hands over to app/core/cli.ts.

const [major, minor] = process.versions.node.split('.').map(Number);
const stripsTypes = major >= 24 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
if (!stripsTypes) {
  process.stderr.write(
    `vm-companion needs Node 22.18 or newer (Node 24 recommended); this is Node ${process.versions.node}.\n` +
      'From the project checkout, run it as "npx vm-companion …" or "npm exec vm-companion -- …", which use the pinned Node 24.\n',
  );
  process.exit(1);
}

const { runCli } = await import('../app/core/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
