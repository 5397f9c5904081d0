#!/usr/bin/env node
console.log('floe: CLI under construction');
