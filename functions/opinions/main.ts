// Serves the opinions function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import opinions from './app.ts';

await serveFunction(opinions);
