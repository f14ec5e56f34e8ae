// Golden cases of rejected kinds: one diagnostic (or a few) per code, printed exactly as users see them.
import { goldenCases } from './support/golden-cases.js';

goldenCases('reject-');
