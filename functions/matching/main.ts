// Serves the matching function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import matching from './app.ts';

await serveFunction(matching);
