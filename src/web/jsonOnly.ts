import type restify from 'restify';

/**
 * State-changing requests with a body must send JSON (415 otherwise): the app-wide body parser also
 * turns form and multipart bodies into `req.body`, which would let a form post act like a JSON one.
 * A bodyless POST (accept, resolve, acknowledge) passes; GET and HEAD are not checked.
 */
export const jsonOnly: restify.RequestHandler = (req, res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD' && hasBody && !req.is('application/json')) {
    res.send(415, { error: 'content-type must be application/json' });
    return next(false);
  }
  next();
};
