// Serves the payments function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import payments from './app.ts';

await serveFunction(payments);
