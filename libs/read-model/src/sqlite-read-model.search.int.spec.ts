import { describeSearchOrderScenarios, describeSearchScenarios } from './spec/search.scenarios';
import { sqliteBackend } from './spec/sqlite-backend';

describeSearchScenarios(sqliteBackend);
describeSearchOrderScenarios(sqliteBackend);
