// Moved to tools/ts-register.cjs; kept until the last references to this path are gone.
module.exports = require('../tools/ts-register.cjs');
