import type { FastifyInstance } from 'fastify';

/**
 * While the service stops, a request still arriving on an open connection is refused with 503 in the
 * usual shape, with the usual headers, and its connection closed. Fastify's own refusal (turned off with
 * `return503OnClosing: false`) answers before any hook runs, so without the security headers, and logs a
 * line for every request it refuses, which under load floods the log just when it is being written out.
 * Here one line says that refusing began. Registered after the security headers' hook.
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  let said = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) {
      done();
      return;
    }
    if (!said) {
      said = true;
      request.log.info('refusing new requests: the service is stopping');
    }
    // Answering without calling `done` ends the request here.
    reply
      .header('connection', 'close')
      .status(503)
      .send({ detail: 'Сервис останавливается, повторите запрос позже', code: 'shutting_down' });
  });
}
