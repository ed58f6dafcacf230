// Serves the cases function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import cases from './app.ts';

await serveFunction(cases);
