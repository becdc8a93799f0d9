#!/usr/bin/env node
// haldir: placeholder entry point; replaced by the real CLI.
process.stdout.write('haldir: not yet implemented\n');
process.exit(1);
