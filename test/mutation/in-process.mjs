#!/usr/bin/env node
// Runs the given compiled node:test files in this one process (node:test runs what they
// register once the imports settle and sets a non-zero exit code on any failure). Saves
// `node --test`'s child process per file, which is most of the cost of one mutant.
import { pathToFileURL } from 'node:url';

for (const f of process.argv.slice(2)) await import(pathToFileURL(f).href);
