// Serves the identity function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import identity from './app.ts';

await serveFunction(identity);
