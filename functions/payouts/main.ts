// Serves the payouts function alone, as its Knative Service does (see shared/http/serve.ts).
import { serveFunction } from '../../shared/http/serve.ts';
import payouts from './app.ts';

await serveFunction(payouts);
