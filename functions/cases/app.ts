import { Hono } from 'hono';
import { defineFunction } from '../../shared/http/function.ts';
import { caseRoutes } from './case-routes.ts';
import { caseSubscriptions } from './consumers.ts';
import { documentRoutes, purgeAbandonedUploads } from './documents.ts';
import { submitRoutes } from './submit.ts';

// The cases function: stage 1 (intake) of the design, and the one place a case's status changes — by its
// owner's commands here, and by the facts other functions report as events.
const routes = new Hono();
routes.route('/', caseRoutes());
routes.route('/', documentRoutes());
routes.route('/', submitRoutes());

export default defineFunction({ name: 'cases', routes, events: caseSubscriptions, cron: { 'purge-abandoned-uploads': () => purgeAbandonedUploads() } });
