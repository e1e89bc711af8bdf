package labels

import (
	"fmt"
	"slices"
	"strings"

	"seven.dev/api/names"
)

// Parse parses a selector in upstream's syntax:
//
//	selector    ::= requirement ( "," requirement )*
//	requirement ::= [ "!" ] KEY [ set-op "(" VALUES ")" | exact-op VALUE ]
//	set-op      ::= "in" | "notin"
//	exact-op    ::= "=" | "==" | "!=" | ">" | "<"
//
// Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored,
// so "name in (redis-master, redis-slave)" parses. A bare KEY requires the
// key to exist and !KEY requires it to be absent; an empty VALUE is allowed
// ("a=", "a in (,b)"). Keys and values are validated. The result is sorted
// by key; the empty string parses to a selector that matches everything.
//
// Errors carry upstream's exact text, which kubectl users see.
func Parse(selector string) (Selector, error) {
	p := parser{items: lex(selector)}
	reqs, err := p.parse()
	if err != nil {
		return nil, err
	}
	sortByKey(reqs)
	return reqs, nil
}

type token int

const (
	tokError token = iota
	tokEnd
	tokClosePar
	tokComma
	tokNot
	tokDoubleEquals
	tokEquals
	tokGreater
	tokIdentifier
	tokIn
	tokLess
	tokNotEquals
	tokNotIn
	tokOpenPar
)

// keyword maps the literal of every token but identifiers to its token.
func keyword(s string) (token, bool) {
	switch s {
	case ")":
		return tokClosePar, true
	case ",":
		return tokComma, true
	case "!":
		return tokNot, true
	case "==":
		return tokDoubleEquals, true
	case "=":
		return tokEquals, true
	case ">":
		return tokGreater, true
	case "in":
		return tokIn, true
	case "<":
		return tokLess, true
	case "!=":
		return tokNotEquals, true
	case "notin":
		return tokNotIn, true
	case "(":
		return tokOpenPar, true
	}
	return tokError, false
}

type item struct {
	tok     token
	literal string
}

func isWhitespace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isSpecial(c byte) bool {
	switch c {
	case '=', '!', '(', ')', ',', '>', '<':
		return true
	}
	return false
}

// lexer splits a selector into tokens. Like upstream's, it treats a NUL
// byte as the end of the input, which is observable ("a \x00b" is "a").
type lexer struct {
	s   string
	pos int
}

func (l *lexer) read() byte {
	if l.pos < len(l.s) {
		c := l.s[l.pos]
		l.pos++
		return c
	}
	return 0
}

func (l *lexer) unread() { l.pos-- }

func lex(s string) []item {
	l := lexer{s: s}
	var items []item
	for {
		it := l.next()
		items = append(items, it)
		if it.tok == tokEnd {
			return items
		}
	}
}

func (l *lexer) next() item {
	c := l.read()
	for isWhitespace(c) {
		c = l.read()
	}
	switch {
	case c == 0:
		return item{tok: tokEnd}
	case isSpecial(c):
		l.unread()
		return l.operator()
	default:
		l.unread()
		return l.word()
	}
}

// word reads an identifier or the keywords "in" and "notin".
func (l *lexer) word() item {
	start := l.pos
	end := l.pos
	for {
		c := l.read()
		if c == 0 {
			break
		}
		if isSpecial(c) || isWhitespace(c) {
			l.unread()
			break
		}
		end = l.pos
	}
	s := l.s[start:end]
	if tok, ok := keyword(s); ok {
		return item{tok: tok, literal: s}
	}
	return item{tok: tokIdentifier, literal: s}
}

// operator reads the longest run of special characters that is a token.
func (l *lexer) operator() item {
	var last item
	start := l.pos
	for {
		c := l.read()
		if c == 0 {
			break
		}
		if !isSpecial(c) {
			l.unread()
			break
		}
		if tok, ok := keyword(l.s[start:l.pos]); ok {
			last = item{tok: tok, literal: l.s[start:l.pos]}
		} else if last.tok != tokError {
			l.unread()
			break
		}
	}
	if last.tok == tokError {
		return item{tok: tokError, literal: fmt.Sprintf("error expected: keyword found '%s'", l.s[start:l.pos])}
	}
	return last
}

type parser struct {
	items []item
	pos   int
}

// role says whether "in" and "notin" are keywords at this point of the
// grammar: only in operator position; elsewhere they are plain identifiers
// ("in in (in)" is a valid selector).
type role bool

const (
	asOperator role = false
	asValue    role = true
)

func (p *parser) peek(r role) item {
	it := p.items[p.pos]
	if r == asValue && (it.tok == tokIn || it.tok == tokNotIn) {
		it.tok = tokIdentifier
	}
	return it
}

func (p *parser) take(r role) item {
	it := p.peek(r)
	p.pos++
	return it
}

func (p *parser) parse() (requirementSelector, error) {
	var reqs requirementSelector
	for {
		it := p.peek(asValue)
		switch it.tok {
		case tokIdentifier, tokNot:
			r, err := p.requirement()
			if err != nil {
				return nil, fmt.Errorf("unable to parse requirement: %v", err)
			}
			reqs = append(reqs, *r)
			switch next := p.take(asValue); next.tok {
			case tokEnd:
				return reqs, nil
			case tokComma:
				if after := p.peek(asValue); after.tok != tokIdentifier && after.tok != tokNot {
					return nil, fmt.Errorf("found '%s', expected: identifier after ','", after.literal)
				}
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or 'end of string'", next.literal)
			}
		case tokEnd:
			return reqs, nil
		default:
			return nil, fmt.Errorf("found '%s', expected: !, identifier, or 'end of string'", it.literal)
		}
	}
}

func (p *parser) requirement() (*Requirement, error) {
	key, op, err := p.keyAndImpliedOperator()
	if err != nil {
		return nil, err
	}
	if op == Exists || op == DoesNotExist {
		return NewRequirement(key, op, []string{})
	}
	if op, err = p.operator(); err != nil {
		return nil, err
	}
	var values []string
	switch op {
	case In, NotIn:
		values, err = p.valueSet()
	default:
		values, err = p.exactValue()
	}
	if err != nil {
		return nil, err
	}
	return NewRequirement(key, op, values)
}

// keyAndImpliedOperator reads "[!] KEY" and infers Exists or DoesNotExist
// when no operator follows.
func (p *parser) keyAndImpliedOperator() (string, Operator, error) {
	var op Operator
	it := p.take(asValue)
	if it.tok == tokNot {
		op = DoesNotExist
		it = p.take(asValue)
	}
	if it.tok != tokIdentifier {
		return "", "", fmt.Errorf("found '%s', expected: identifier", it.literal)
	}
	if msgs := names.IsQualifiedName(it.literal); len(msgs) != 0 {
		// Upstream validates with no field path here, which prints as "<nil>".
		return "", "", invalid("<nil>", it.literal, strings.Join(msgs, "; "))
	}
	if next := p.peek(asValue); (next.tok == tokEnd || next.tok == tokComma) && op != DoesNotExist {
		op = Exists
	}
	return it.literal, op, nil
}

func (p *parser) operator() (Operator, error) {
	it := p.take(asOperator)
	switch it.tok {
	case tokIn:
		return In, nil
	case tokEquals:
		return Equals, nil
	case tokDoubleEquals:
		return DoubleEquals, nil
	case tokGreater:
		return GreaterThan, nil
	case tokLess:
		return LessThan, nil
	case tokNotIn:
		return NotIn, nil
	case tokNotEquals:
		return NotEquals, nil
	}
	ops := binaryOperators()
	list := make([]string, len(ops))
	for i, op := range ops {
		list[i] = string(op)
	}
	return "", fmt.Errorf("found '%s', expected: %s", it.literal, strings.Join(list, ", "))
}

// valueSet reads "(v1,v2,...)". Empty entries are the empty value, so "()",
// "(,)" and "(a,)" all contain "".
func (p *parser) valueSet() ([]string, error) {
	if it := p.take(asValue); it.tok != tokOpenPar {
		return nil, fmt.Errorf("found '%s' expected: '('", it.literal)
	}
	switch it := p.peek(asValue); it.tok {
	case tokIdentifier, tokComma:
		values, err := p.valueList()
		if err != nil {
			return nil, err
		}
		p.take(asValue) // the ")" that ended the list
		return values, nil
	case tokClosePar:
		p.take(asValue)
		return []string{""}, nil
	default:
		return nil, fmt.Errorf("found '%s', expected: ',', ')' or identifier", it.literal)
	}
}

// valueList reads comma-separated, possibly empty values up to (not
// including) ")", and returns them sorted and deduplicated.
func (p *parser) valueList() ([]string, error) {
	var values []string
	for {
		it := p.take(asValue)
		switch it.tok {
		case tokIdentifier:
			values = append(values, it.literal)
			switch next := p.peek(asValue); next.tok {
			case tokComma:
				continue
			case tokClosePar:
				return setOf(values), nil
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or ')'", next.literal)
			}
		case tokComma:
			if len(values) == 0 {
				values = append(values, "") // "(,"
			}
			switch p.peek(asValue).tok {
			case tokClosePar:
				return setOf(append(values, "")), nil // ",)"
			case tokComma:
				p.take(asValue)
				values = append(values, "") // ",,"
			}
		default:
			return nil, fmt.Errorf("found '%s', expected: ',', or identifier", it.literal)
		}
	}
}

func setOf(values []string) []string {
	slices.Sort(values)
	return slices.Compact(values)
}

// exactValue reads the single value after =, ==, !=, > or <; nothing before
// "," or the end is the empty value.
func (p *parser) exactValue() ([]string, error) {
	if it := p.peek(asValue); it.tok == tokEnd || it.tok == tokComma {
		return []string{""}, nil
	}
	it := p.take(asValue)
	if it.tok != tokIdentifier {
		return nil, fmt.Errorf("found '%s', expected: identifier", it.literal)
	}
	return []string{it.literal}, nil
}
