/**
 * @app/practice-authority: may this person practise here, now, and on what basis. The rules (compacts, EMAC
 * missions, emergency orders) as versioned documents with admin import/export and audit; the pure decision with its
 * documented precedence; ESAR-VHP levels from verified credentials; the cache check-in decides with. Imports
 * @app/audit, @app/auth, @app/common, @app/db; never @app/incidents (which calls it).
 */
export * from './domain/vocabulary';
export * from './domain/practice-rules.document';
export * from './domain/decide-practice-authority';
export * from './domain/esar-vhp-level';
export * from './domain/practice-rules.fixture';
export * from './practice-rules.repository';
export * from './practice-authority.cache';
export * from './practice-rules.service';
export * from './dto/practice-rules.dto';
export * from './dto/practice-answer.dto';
export * from './http/practice-rules.controller';
export * from './practice-authority.module';
