// Golden cases of allowed kinds: the JSON rule accepts them and the generators print them.
import { goldenCases } from './support/golden-cases.js';

goldenCases('allow-');
