import ASTGraph
import XCTest
