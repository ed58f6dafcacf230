// Serves the documents function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import documents from './app.ts';

await serveFunction(documents);
