import { chromium } from 'playwright-core';
import { serve } from './e2e.mjs';
