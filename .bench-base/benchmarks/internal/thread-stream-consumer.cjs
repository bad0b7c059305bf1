// Consumer side for thread-stream: a Writable that takes each chunk and does no I/O. The
// chunk thread-stream hands over is already a copy out of its shared buffer, which is the
// work ring-consumer.js does with Buffer.from.
const { Writable } = require('node:stream');

module.exports = async function createCounter() {
  return new Writable({
    autoDestroy: true,
    write(_chunk, _enc, cb) {
      cb();
    },
    final(cb) {
      cb();
    },
  });
};
