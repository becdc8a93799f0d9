'use strict';
// Loads the compiled addon (built by `node-gyp rebuild` when npm installs the package).
module.exports = require('./build/Release/rawsock.node');
